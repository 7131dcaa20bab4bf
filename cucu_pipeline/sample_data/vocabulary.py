"""The vocabulary of the sample data: San Francisco names, neighborhoods, venues, tastes and event kinds."""

import datetime as dt

# Tables of data, aligned by hand.
# fmt: off
UTC = dt.UTC
WINDOW_START = dt.datetime(2022, 1, 1, tzinfo=UTC)
WINDOW_END = dt.datetime(2027, 12, 31, tzinfo=UTC)

FIRST_NAMES = (
    "Sarah Mike Jenny Alex Priya Diego Mei Jamal Olivia Noah Ava Liam Sofia Mateo Hana Kenji Zara Omar Chloe Ethan "
    "Isabel Lucas Nina Raj Elena Marcus Aisha Leo Grace Daniel Yuki Carmen Theo Maya Samuel Fatima Julian Lena Kai Rosa"
).split()
LAST_NAMES = (
    "Chen Jones Kim Wong Patel Garcia Nguyen Johnson Smith Brown Rossi Lopez Tanaka Ali Martin Okafor Silva Cohen "
    "Park Murphy Singh Rivera Fischer Haddad Novak Costa Ito Baker Reyes Morgan"
).split()
NEIGHBORHOODS = (
    "Mission District", "SoMa", "Hayes Valley", "North Beach", "Marina", "Castro", "Noe Valley", "Inner Richmond",
    "Outer Sunset", "Potrero Hill", "Dogpatch", "Pacific Heights", "Nob Hill", "Russian Hill", "Bernal Heights",
    "Financial District",
)
VENUES = (
    ("The Vault", "Financial District"), ("Culinary Studio", "SoMa"), ("Mission Kitchen", "Mission District"),
    ("Hayes Street Loft", "Hayes Valley"), ("North Beach Cellar", "North Beach"), ("Dogpatch Commons", "Dogpatch"),
    ("Marina Garden Room", "Marina"), ("Castro Table", "Castro"), ("Noe Valley Pantry", "Noe Valley"),
    ("Clement Street Dumpling House", "Inner Richmond"), ("Sunset Supper Club", "Outer Sunset"),
    ("Potrero Test Kitchen", "Potrero Hill"), ("Pier 5 Loft", "Financial District"),
    ("Fillmore Parlor", "Pacific Heights"),
)
INTERESTS = (
    "hiking", "photography", "cooking", "wine", "jazz", "yoga", "startups", "climbing", "board games", "film",
    "running", "art", "travel", "live music", "baking", "cycling", "reading", "design", "gardening", "dancing",
)
CUISINES = ("Italian", "Thai", "Japanese", "Mexican", "Korean", "Chinese", "Indian", "French", "Mediterranean",
            "Vietnamese", "Ethiopian", "Peruvian")
ALLERGIES = ("vegetarian", "vegan", "gluten-free", "shellfish allergy", "nut allergy", "dairy-free")
OCCUPATIONS = (
    "Software Engineer", "Product Manager", "Designer", "Nurse", "Teacher", "Data Scientist", "Founder", "Lawyer",
    "Marketing Manager", "Architect", "Physician", "Consultant", "Writer", "Student", "Photographer",
    "Financial Analyst", "Chef", "Researcher",
)
GENDERS = ("Female", "Male", "Non-binary")
RELATIONSHIPS = ("Single", "In a relationship", "Married", "It's complicated")
TABLE_TYPES = ("Communal", "Small group", "Couples", "Singles")
EMAIL_DOMAINS = ("gmail.com", "yahoo.com", "icloud.com", "cuculi.test")
# The profile fields an incomplete sample profile may lack.
BLANKABLE_FIELDS = (
    "interests", "homeNeighborhood", "occupation", "gender", "relationshipStatus", "tableTypePreference",
    "workNeighborhood", "phone", "birthDay",
)
AREA_CODES = ("415", "628", "510", "650")
# (name, categories, features, interests it appeals to)
EVENT_KINDS = (
    ("Italian Wine Tasting", ["Tasting", "Italian", "Wine"], ["Wine pairing", "Vegetarian options"],
     ["wine", "travel"]),
    ("Thai Cooking Class", ["Cooking Class", "Thai"], ["Hands-on", "Beginner friendly"], ["cooking"]),
    ("Farm to Table Dinner", ["Dinner", "Californian"], ["Communal table", "Vegetarian options"],
     ["gardening", "cooking"]),
    ("Dumpling Workshop", ["Cooking Class", "Chinese"], ["Hands-on", "Beginner friendly"], ["cooking", "baking"]),
    ("Natural Wine Night", ["Tasting", "Wine"], ["Wine pairing"], ["wine", "live music"]),
    ("Sourdough Masterclass", ["Cooking Class", "Baking"], ["Hands-on", "Vegan"], ["baking", "cooking"]),
    ("Taco Supper Club", ["Dinner", "Mexican"], ["Communal table", "BYOB"], ["live music", "travel"]),
    ("Sushi Rolling Class", ["Cooking Class", "Japanese", "Seafood"], ["Hands-on"], ["cooking", "travel"]),
    ("Mezcal Tasting", ["Tasting", "Mexican"], ["Small plates"], ["travel", "dancing"]),
    ("Pasta from Scratch", ["Cooking Class", "Italian"], ["Hands-on", "Vegetarian options"], ["cooking"]),
    ("Dim Sum Brunch", ["Brunch", "Chinese", "Seafood"], ["Communal table"], ["reading", "photography"]),
    ("Korean BBQ Night", ["Dinner", "Korean", "Steakhouse"], ["Communal table", "Gluten-free options"],
     ["board games"]),
    ("Vegan Feast", ["Dinner", "Vegan"], ["Vegan", "Gluten-free options"], ["yoga", "gardening"]),
    ("Singles Supper", ["Dinner", "Mediterranean"], ["Communal table", "Singles"], ["dancing", "film"]),
    ("Founders Dinner", ["Dinner", "French"], ["Small group"], ["startups", "design"]),
    ("Oysters & Bubbles", ["Tasting", "Seafood"], ["Wine pairing"], ["wine", "photography"]),
    ("Ethiopian Feast", ["Dinner", "Ethiopian"], ["Communal table", "Vegetarian options"], ["travel", "art"]),
    ("Jazz & Tapas Night", ["Dinner", "Spanish"], ["Live music", "Vegetarian options"], ["jazz", "live music"]),
)
# Pacific start times that fit each kind of event, by its first category: brunch late morning, classes by day or
# after work, tastings early evening, dinners and suppers in the evening.
START_TIMES = {
    "Brunch": ((10, 30), (11, 0), (11, 30)),
    "Cooking Class": ((11, 0), (14, 0), (18, 0), (18, 30)),
    "Tasting": ((17, 30), (18, 0), (18, 30), (19, 0)),
    "Dinner": ((19, 0), (19, 30), (20, 0)),
}
DESCRIPTIONS = (
    "<p>Join us for <b>{name}</b> at {venue}. Meet new people over great food &amp; good conversation.</p>",
    "<div><h2>{name}</h2><p>A cozy night in {hood}: seasonal dishes, shared plates and new friends.</p></div>",
    "<p>No experience needed!<br/>Our host walks you through every step of {name}.</p>"
    "<ul><li>Drinks included</li></ul>",
)
CAMPAIGNS = ("Seat The Newcomer", "Fill the Table", "Return to Table")
# fmt: on
