import { integer } from "drizzle-orm/sqlite-core";

/** Milliseconds since the epoch (UTC). One time representation across the schema. */
export const timestamp = (name: string) => integer(name);
