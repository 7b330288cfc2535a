import { hydrateIslands } from "../hydrate";
import { Combobox, type ComboboxProps } from "../islands/combobox";

hydrateIslands<ComboboxProps>("combobox", Combobox);
