"""Settings split by purpose: base (shared), dev, test, prod.

Every deployment knob comes from the environment (twelve-factor): ``DATABASE_URL``
for the database and ``DJANGO_*`` variables for the rest.
"""
