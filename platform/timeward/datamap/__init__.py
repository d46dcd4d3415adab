"""Where personal data lives, read from the database catalog rather than listed by hand,
so a table added later is exported, erased and offboarded without new code."""
