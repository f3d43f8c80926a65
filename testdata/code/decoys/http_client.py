"""Decoy: an HTTP client and a Flask view in a service that also uses a Redis cache."""
import json

import redis
import requests
from flask import Flask, request

app = Flask(__name__)
cache = redis.Redis()


def fetch_user(user_id):
    resp = requests.get(f"https://api.example.com/users/{user_id}", timeout=5)
    data = resp.json().get("data", {})
    resp.json().clear()
    name = requests.get("https://api.example.com/me").json().get("name")
    return data, name


@app.post("/items")
def create_item():
    payload = request.json.get("item")
    body = request.get_json().get("ft")
    cache.set("last", json.dumps(payload))
    return json.loads(json.dumps({"ok": True, "body": body}))


# r.ft("idx").search("x") is an example in a comment only.
HELP = "Call FT.SEARCH when the search module is loaded"
FORMATS = ["vcard", "VCARD", "json"]
ts = {"add": 1}


def load_plugin(name, err):
    # An error message, not a MODULE LOAD command (found in CPython's zipimport.py).
    return f"module load failed: {err}"
