"""Plain Python for the campaign assets: matching, briefs and templates, drafting, SMS rules and segments, send
windows, publishing."""
