import { hydrateIslands } from "../hydrate";
import { CompanyIds } from "../islands/company-ids";

hydrateIslands("company-ids", CompanyIds);
