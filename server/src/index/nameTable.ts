/**
 * Queue names, worker ids and event types repeat in every event: the index stores each once and
 * refers to it by a small number.
 */
export class NameTable {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];

  /** The number of `name`, giving it one when it is new. */
  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      // A name split out of a subject can be a slice that keeps the whole subject alive: keep a copy.
      this.names.push((' ' + name).slice(1));
      this.ids.set(name, id);
    }
    return id;
  }

  /** The number of a name already known, or undefined. */
  find(name: string): number | undefined {
    return this.ids.get(name);
  }

  name(id: number): string {
    const name = this.names[id];
    if (name === undefined) throw new RangeError(`no name number ${id}`);
    return name;
  }

  /** The canonical copy of `name`. */
  intern(name: string): string {
    return this.name(this.id(name));
  }

  all(): readonly string[] {
    return this.names;
  }

  clear(): void {
    this.ids.clear();
    this.names.length = 0;
  }
}
