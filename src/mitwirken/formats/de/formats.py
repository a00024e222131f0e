"""German dates as Django ships them (Django's own module supplies the rest), with a comma before the time."""

DATETIME_FORMAT = "j. F Y, H:i"
