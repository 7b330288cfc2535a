// Types of seed.mjs for the TypeScript e2e tests that drive the demo seeding.
export declare const DEMO: { email: string; password: string };
export declare function seedDemo(baseUrl: string): Promise<{ email: string; password: string; created: boolean }>;
export declare function payDemoInvoiceOnline(baseUrl: string): Promise<{ id: string; number: string }>;
