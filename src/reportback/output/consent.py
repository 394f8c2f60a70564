"""The consent wording every subscribe form shows (and every subscription records)."""

WORDING = (
    "Email me the NEC reports for my CLP. I can unsubscribe at any time with one click; "
    "my address is used for nothing else."
)
