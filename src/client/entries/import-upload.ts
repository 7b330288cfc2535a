import { hydrateIslands } from "../hydrate";
import { ImportUpload } from "../islands/import-upload";

hydrateIslands("import-upload", ImportUpload);
