/**
 * Brings one level of a view's nodes in line with a fresh list from the backend: an item without a
 * node gets one, a node whose item is gone is dropped, and `refresh` updates a kept node and says
 * whether it changed. Returns the changed nodes, or undefined when items came or went, so that the
 * whole level is drawn again.
 */
export function syncNodes<I, N>(
  nodes: Map<string, N>,
  list: readonly I[],
  keyOf: (item: I) => string,
  create: (item: I) => N,
  refresh: (node: N, item: I) => boolean,
): N[] | undefined {
  const keys = new Set(list.map(keyOf));
  const sameSet = keys.size === nodes.size && [...keys].every((key) => nodes.has(key));
  for (const key of [...nodes.keys()]) if (!keys.has(key)) nodes.delete(key);
  const changed: N[] = [];
  for (const item of list) {
    const key = keyOf(item);
    const node = nodes.get(key);
    if (node === undefined) nodes.set(key, create(item));
    else if (refresh(node, item)) changed.push(node);
  }
  return sameSet ? changed : undefined;
}
