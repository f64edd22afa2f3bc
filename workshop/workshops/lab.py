"""The Eurocities Social Innovation Lab: its policy areas (the template) and cities (the demo)."""

LAB_POLICY_AREAS = [
    (
        "Child poverty and the EU Child Guarantee",
        "Mitigating child poverty: implementing the European Child Guarantee at local level.",
    ),
    (
        "Violence against children and integrated child protection",
        "Combating violence against children and strengthening integrated child protection systems.",
    ),
    (
        "Physical health and wellbeing of children and youth",
        "Promoting physical health and wellbeing among children and young people.",
    ),
]

DEMO_CITIES = [
    ("Lille Metropole", "France"),
    ("Ljubljana", "Slovenia"),
    ("Glasgow", "United Kingdom"),
    ("Bologna", "Italy"),
    ("Warsaw", "Poland"),
    ("Toulouse", "France"),
    ("Göteborg", "Sweden"),
    ("Łódź", "Poland"),
    ("Athens", "Greece"),
    ("Zürich", "Switzerland"),
    ("Cluj-Napoca", "Romania"),
    ("Rotterdam", "Netherlands"),
    ("Barcelona", "Spain"),
    ("Ghent", "Belgium"),
]
