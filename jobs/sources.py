"""Where each athlete's data comes from: Garmin Connect (saved tokens), the demo athlete, or
nowhere to sync from (`files`: what `stridelift import` brought in)."""

from __future__ import annotations

from domain.profile import Profile
from ingest.garmin import Connect
from jobs.garmin_account import connection
from jobs.home import Home
from jobs.nightly_run import Source


def source_for(home: Home) -> Source:
    def open_source(profile: Profile) -> Connect | None:
        if profile.source == "files":
            return None
        if profile.source == "demo":
            from demo.athlete import demo_connect  # the simulator loads only for demo homes

            return demo_connect(**home.config.demo)
        return connection(home, profile)
    return open_source
