import { orders } from './repo';

export async function list() {
  await orders.save({ id: 1 });
  return orders.search({ q: 'x' });
}
