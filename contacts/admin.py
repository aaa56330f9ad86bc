# Contact data is deliberately not registered in the admin: staff reach it only through the
# consent- and permission-checked, logged views, never through a generic list of people.
