"""The local web app (`stridelift serve`): the week's plan, one session to tick off, why the
plan changed, today's status, the report, and a coach's view of every athlete. Views call
jobs/ only; templates and the style sheet ship as package data (no CDN, works offline)."""
