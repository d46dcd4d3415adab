"""Clocking in and out, and the time entries built from it or entered by managers."""
