from app.analytics import series_key
from app.search import escape_tag


def test_tag_values_escape_spaces_and_punctuation():
    assert escape_tag("Prenzlauer Berg") == "Prenzlauer\\ Berg"
    assert escape_tag("St.-Georg") == "St\\.\\-Georg"


def test_series_keys_are_per_city_and_case_insensitive():
    assert series_key("Berlin") == series_key("berlin") == "ls:ts:searches:berlin"
