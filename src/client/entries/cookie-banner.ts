import { hydrateIslands } from "../hydrate";
import { CookieBanner } from "../islands/cookie-banner";

hydrateIslands("cookie-banner", CookieBanner);
