"""The Eurocities Social Innovation Lab: its policy areas (the template) and cities (the demo)."""
from flask_babel import lazy_gettext as _l

LAB_POLICY_AREAS = [
    (
        _l("Child poverty and the EU Child Guarantee"),
        _l("Mitigating child poverty: implementing the European Child Guarantee at local level."),
    ),
    (
        _l("Violence against children and integrated child protection"),
        _l("Combating violence against children and strengthening integrated child protection systems."),
    ),
    (
        _l("Physical health and wellbeing of children and youth"),
        _l("Promoting physical health and wellbeing among children and young people."),
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
