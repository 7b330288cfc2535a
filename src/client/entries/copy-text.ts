import { hydrateIslands } from "../hydrate";
import { CopyText } from "../islands/copy-text";

hydrateIslands("copy-text", CopyText);
