"""Keys and authenticated encryption."""
