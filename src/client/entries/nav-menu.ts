// The phone menu: without this script the sections stay a scrollable row (nothing is lost); with
// it, a phone shows one "Menu" button that unfolds them. Plain DOM: no framework for one toggle.
const button = document.querySelector<HTMLButtonElement>(".nav-toggle");
const nav = document.getElementById("sidenav");
if (button && nav) {
  nav.dataset.collapsible = "true";
  document.documentElement.dataset.navMenu = "true";
  button.hidden = false;
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    if (open) nav.dataset.open = "true";
    else delete nav.dataset.open;
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && nav.dataset.open) {
      delete nav.dataset.open;
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  });
}
