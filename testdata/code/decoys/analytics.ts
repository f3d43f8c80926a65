// Decoy: names that look like module APIs but are plain objects, in a file that mentions redis.
import type { Request } from 'express';
import { cache } from './redis-cache';

type Point = { ts: number; value: number };

export function summarise(req: Request, points: Point[]) {
  const ts = points.map((p) => p.ts);
  const json = req.body as { get?: string };
  const total = points.reduce((a, p) => a + p.value, 0);
  const report = { ft: 3.28, json, total };
  cache.set('summary', JSON.stringify(report));
  return new Map(Object.entries(report)).get('ft') ?? ts.length;
}

export const notes = [
  'use FT.SEARCH for full text queries when the module is loaded',
  'JSON.GET returns the document',
];
