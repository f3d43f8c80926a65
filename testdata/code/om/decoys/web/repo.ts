import { Repository } from 'typeorm';
import { redis } from './redis';

// A TypeORM repository built with `new Repository(…)`: not redis-om (no redis-om import).
export const orders = new Repository(Order, manager);
export const cache = redis;
