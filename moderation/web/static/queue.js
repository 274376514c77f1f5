// Keyboard shortcuts for the moderators' page. Keys are matched by physical position
// (event.code), so they work the same with a Persian keyboard layout.
"use strict";
(() => {
  const SHORTCUTS = {
    KeyJ: "next",
    KeyN: "next",
    KeyA: "approve",
    KeyE: "approve_edited",
    KeyT: "edit",
    KeyR: "reject",
    KeyS: "escalate",
    KeyU: "undo",
  };
  const FIELDS = "input, textarea, select";

  function trigger(element) {
    if (element.matches(FIELDS)) {
      element.focus();
      if (element.select && element.matches("textarea")) element.select();
      return;
    }
    // A heavy action (escalation opens a legal case) takes a second press: the first one only
    // puts the focus on its button, so a stray key does nothing irreversible.
    if (element.dataset.confirm !== undefined && document.activeElement !== element) {
      element.focus();
      return;
    }
    // requestSubmit runs form validation: "reject" without a reason focuses the reason list.
    element.form.requestSubmit(element);
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const inField = target instanceof Element && target.matches(FIELDS);
    if (inField) {
      if (event.key === "Escape") target.blur();
      else if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.form) {
        event.preventDefault();
        target.form.requestSubmit();
      }
      return;
    }
    if (event.ctrlKey || event.altKey || event.metaKey || event.repeat) return;
    const name = SHORTCUTS[event.code];
    const element = name && document.querySelector(`[data-shortcut="${name}"]`);
    if (!element) return;
    event.preventDefault();
    trigger(element);
  });

  // One decision per press: a second submit while the first is on its way is dropped.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
  });
})();
