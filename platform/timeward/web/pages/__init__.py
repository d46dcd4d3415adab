"""Server-rendered pages: controllers by area, rendered from the same services as the API."""
