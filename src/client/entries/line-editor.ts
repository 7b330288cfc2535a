import { hydrateIslands } from "../hydrate";
import { LineEditor } from "../islands/line-editor";

hydrateIslands("line-editor", LineEditor);
