export * from "./accounts";
export * from "./identity";
export * from "./mail";
export * from "./invoicing";
export * from "./privacy";
export * from "./payments";
export * from "./sending";
