// wuye-sso login pages: warn about caps lock and about full-width (全角) characters in password fields.
(function () {
  "use strict";
  var FULL_WIDTH = /[\uFF01-\uFF5E\u3000]/;

  function warnings(input) {
    var caps = document.getElementById("wuye-capslock-warning");
    var full = document.getElementById("wuye-fullwidth-warning");
    if (!caps || !full) {
      var group = input.closest(".pf-v5-c-form__group") || input.parentNode;
      if (!caps) {
        caps = document.createElement("div");
        caps.className = "wuye-warning";
        caps.id = "wuye-capslock-warning";
        caps.hidden = true;
        caps.textContent = document.documentElement.lang.indexOf("zh") === 0 ? "大写锁定已打开" : "Caps Lock is on";
        group.appendChild(caps);
      }
      if (!full) {
        full = document.createElement("div");
        full.className = "wuye-warning";
        full.id = "wuye-fullwidth-warning";
        full.hidden = true;
        full.textContent = document.documentElement.lang.indexOf("zh") === 0
          ? "密码中含有全角字符,请把输入法切换到半角(英文)状态后重新输入"
          : "The password contains full-width characters: switch your input method to half-width and type it again";
        group.appendChild(full);
      }
    }
    return { caps: caps, full: full };
  }

  function watch(input) {
    var w = warnings(input);
    var onKey = function (event) {
      if (event.getModifierState) {
        w.caps.hidden = !event.getModifierState("CapsLock");
      }
    };
    input.addEventListener("keydown", onKey);
    input.addEventListener("keyup", onKey);
    input.addEventListener("input", function () {
      w.full.hidden = !FULL_WIDTH.test(input.value);
    });
    input.addEventListener("compositionstart", function () {
      // an input method is composing in the password field: that is the full-width trap
      w.full.hidden = false;
    });
    input.addEventListener("blur", function () {
      w.caps.hidden = true;
    });
  }

  function start() {
    var first = document.getElementById("password");
    if (first) {
      watch(first);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
