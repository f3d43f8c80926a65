// An Express app that has nothing to do with Redis modules.
const express = require('express');
const app = express();

const FT = 12; // feet
const vcard = require('vcard-parser');

app.get('/api/items', async (req, res) => {
  const body = JSON.parse(req.body || '{}');
  const json = JSON.stringify(body);
  const parsed = await fetch('https://example.com/a.json').then((r) => r.json());
  res.json({ json, parsed, height: FT * 2 });
});

app.get('/contact', (req, res) => {
  const card = vcard.parse('BEGIN:VCARD\nVERSION:3.0\nFN:Ada\nEND:VCARD');
  res.type('text/vcard').send(card);
});

// TS.ADD and JSON.SET are only mentioned in this comment.
/* FT.SEARCH would go here */
const labels = { type: 'VCARD', ts: Date.now() };
const re = /"FT.SEARCH"/g;
module.exports = { app, labels, re, ts: { add: (a, b) => a + b } };
