// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// TypeORM: EntitySubscriberInterface (every method optional, a generic
// default, `Promise<any> | void` results).
export interface InsertEvent<Entity> {
  entity: Entity;
}
export interface UpdateEvent<Entity> {
  entity: Entity | undefined;
  databaseEntity: Entity;
}
export interface RemoveEvent<Entity> {
  entity?: Entity;
  entityId?: unknown;
}

/** Subscribers that subscribe to events of the ORM. */
export interface EntitySubscriberInterface<Entity = any> {
  /** Returns the class of the entity to which events will listen. */
  listenTo?(): Function | string;
  /** Called after entity is loaded from the database. */
  afterLoad?(entity: Entity): Promise<any> | void;
  /** Called before entity is inserted to the database. */
  beforeInsert?(event: InsertEvent<Entity>): Promise<any> | void;
  /** Called after entity is inserted to the database. */
  afterInsert?(event: InsertEvent<Entity>): Promise<any> | void;
  /** Called before entity is updated in the database. */
  beforeUpdate?(event: UpdateEvent<Entity>): Promise<any> | void;
  /** Called before entity is removed from the database. */
  beforeRemove?(event: RemoveEvent<Entity>): Promise<any> | void;
}

export const SOURCE =
  "typeorm/typeorm src/subscriber/EntitySubscriberInterface.ts";
