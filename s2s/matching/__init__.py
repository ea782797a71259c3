"""The matcher (issue 15): the Lost Pupil Database against the rolls, on Splink."""
