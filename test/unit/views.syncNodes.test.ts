import assert from 'node:assert/strict';
import { test } from 'node:test';
import { syncNodes } from '../../client/src/views/syncNodes';

interface Item {
  name: string;
  total: number;
}

function sync(nodes: Map<string, Item>, list: Item[]): Item[] | undefined {
  return syncNodes(
    nodes,
    list,
    (item) => item.name,
    (item) => ({ ...item }),
    (node, item) => {
      if (node.total === item.total) return false;
      node.total = item.total;
      return true;
    },
  );
}

test('tree levels: the same items report only the changed nodes, updated in place', () => {
  const nodes = new Map<string, Item>();
  assert.equal(sync(nodes, [{ name: 'a', total: 1 }, { name: 'b', total: 2 }]), undefined, 'items came');
  const a = nodes.get('a');
  assert.deepEqual(sync(nodes, [{ name: 'a', total: 1 }, { name: 'b', total: 2 }]), []);
  const changed = sync(nodes, [{ name: 'a', total: 5 }, { name: 'b', total: 2 }]);
  assert.deepEqual(changed, [{ name: 'a', total: 5 }]);
  assert.equal(changed?.[0], a, 'the node kept, not replaced');
});

test('tree levels: an item gone or new redraws the level and leaves exactly the listed nodes', () => {
  const nodes = new Map<string, Item>();
  sync(nodes, [{ name: 'a', total: 1 }, { name: 'b', total: 2 }]);
  assert.equal(sync(nodes, [{ name: 'a', total: 1 }]), undefined, 'b went');
  assert.deepEqual([...nodes.keys()], ['a']);
  assert.equal(sync(nodes, [{ name: 'a', total: 1 }, { name: 'c', total: 3 }]), undefined, 'c came');
  assert.deepEqual([...nodes.keys()], ['a', 'c']);
  assert.equal(sync(nodes, [{ name: 'b', total: 1 }, { name: 'c', total: 3 }]), undefined, 'as many items, not the same ones');
  assert.deepEqual([...nodes.keys()].sort(), ['b', 'c']);
});
