"""Test doubles kept with the tests: fake Airtable and Messages APIs on 127.0.0.1 and the fault plans they obey."""
