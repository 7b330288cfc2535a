import { Hono } from "hono";

// A minimal Hono Worker: one route, a small HTML answer, no storage. What any Worker costs.
const app = new Hono();
app.get("/", (c) => c.html("<!doctype html><title>baseline</title><p>ok</p>"));

export default app;
