// Internal: the one linked list of the layers. Calls waiting in a layer (for
// a permit, a token, a batch to be sent) are queued in FIFO order and leave
// from anywhere when their caller aborts or their deadline passes, so
// push, shift and remove must all be O(1) and allocate nothing: the waiting
// call is its own node. Its links are named `older`/`newer` so that the same
// object can also sit in a deadline `TimerQueue` (whose links are
// `prev`/`next`).

/** A node of a {@linkcode FifoList}: the queued object itself. */
export interface ListNode {
  older: ListNode | undefined;
  newer: ListNode | undefined;
}

/** A doubly linked FIFO queue of caller-owned nodes. */
export class FifoList<T extends ListNode> {
  #head: T | undefined = undefined;
  #tail: T | undefined = undefined;
  #size = 0;

  /** Number of queued nodes. */
  get size(): number {
    return this.#size;
  }

  /** The oldest node, without removing it. */
  get head(): T | undefined {
    return this.#head;
  }

  /** Appends `node`, which must not be in any list. */
  push(node: T): void {
    node.older = this.#tail;
    node.newer = undefined;
    if (this.#tail === undefined) this.#head = node;
    else this.#tail.newer = node;
    this.#tail = node;
    this.#size++;
  }

  /** Removes and returns the oldest node. */
  shift(): T | undefined {
    const node = this.#head;
    if (node !== undefined) this.remove(node);
    return node;
  }

  /** Removes `node`; returns false when it was not queued here. */
  remove(node: T): boolean {
    if (node.older === undefined && this.#head !== node) return false;
    if (node.older === undefined) this.#head = node.newer as T | undefined;
    else node.older.newer = node.newer;
    if (node.newer === undefined) this.#tail = node.older as T | undefined;
    else node.newer.older = node.older;
    node.older = undefined;
    node.newer = undefined;
    this.#size--;
    return true;
  }

  /** The nodes from oldest to newest, as an array (O(n), for a batch). */
  toArray(): T[] {
    const nodes = new Array<T>(this.#size);
    let node = this.#head;
    for (let i = 0; node !== undefined; i++) {
      nodes[i] = node;
      node = node.newer as T | undefined;
    }
    return nodes;
  }
}
