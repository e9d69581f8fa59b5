"use strict";
// captioner's page: send an image to /api/caption and show the caption and the beam's alternatives.
(function () {
  var drop = document.getElementById("drop");
  var file = document.getElementById("file");
  var beam = document.getElementById("beam");
  var result = document.getElementById("result");
  var preview = document.getElementById("preview");
  var status = document.getElementById("status");
  var caption = document.getElementById("caption");
  var alternatives = document.getElementById("alternatives");
  var error = document.getElementById("error");
  var overlay = document.getElementById("overlay");
  var help = document.getElementById("attention-help");
  var current = null;

  // The model's description needs the API key on a server that has one: sent when this tab has it.
  function keyHeaders() {
    var headers = {};
    var key = sessionStorage.getItem("captioner-api-key");
    if (key) { headers.Authorization = "Bearer " + key; }
    return headers;
  }

  function loadModel() {
    fetch("api/model", { headers: keyHeaders() }).then(function (r) {
      if (r.status === 401) { throw new Error("key"); }
      return r.json();
    }).then(function (m) {
      var text = "Model: " + m.architecture + " on " + m.encoder + " features, vocabulary of " + m.vocabulary_size + " words";
      if (m.metrics) {
        var first = m.metrics.bleu4 !== undefined ? m.metrics : m.metrics[Object.keys(m.metrics)[0]];
        if (first && first.bleu4 !== undefined) { text += ", test BLEU-4 " + first.bleu4.toFixed(3); }
      }
      document.getElementById("model").textContent = text + ".";
    }).catch(function (e) {
      document.getElementById("model").textContent = e.message === "key"
        ? "This server needs its API key; it is asked for when you caption a photo."
        : "Model information is not available.";
    });
  }
  loadModel();

  function showError(message) {
    error.textContent = message;
    error.hidden = false;
  }

  // A "hot" colour ramp (black, red, yellow, white) like the attention pictures of the CLI.
  function heat(v) {
    var t = Math.max(0, Math.min(1, v)) * 2.5;
    return [255 * Math.min(1, t), 255 * Math.max(0, Math.min(1, t - 1)), 255 * Math.max(0, Math.min(1, t - 2))];
  }

  function hideAttention() {
    overlay.hidden = true;
    delete overlay.dataset.word;
    Array.prototype.forEach.call(caption.querySelectorAll(".word"), function (w) { w.classList.remove("active"); });
  }

  // Draws one word's H x W weights into an H x W canvas; the browser's smooth scaling of the
  // canvas to the image's size is the upsampling, so the map is not blocky.
  function showAttention(a, index, span) {
    hideAttention();
    overlay.width = a.width;
    overlay.height = a.height;
    var ctx = overlay.getContext("2d");
    var img = ctx.createImageData(a.width, a.height);
    // Scaled from the smallest weight to the largest; dark where the model did not look, a
    // light warm tint where it did (the CLI's pictures look the same).
    var max = -Infinity, min = Infinity;
    a.weights.forEach(function (row) { row.forEach(function (v) { max = Math.max(max, v); min = Math.min(min, v); }); });
    for (var y = 0; y < a.height; y++) {
      for (var x = 0; x < a.width; x++) {
        var w = max > min ? (a.weights[y][x] - min) / (max - min) : 0;
        var c = heat(w);
        var i = (y * a.width + x) * 4;
        img.data[i] = c[0]; img.data[i + 1] = c[1]; img.data[i + 2] = c[2];
        img.data[i + 3] = Math.round(255 * (0.8 - 0.55 * w));
      }
    }
    ctx.putImageData(img, 0, 0);
    overlay.dataset.word = String(index);
    overlay.hidden = false;
    span.classList.add("active");
  }

  function showWords(attention) {
    caption.textContent = "";
    attention.forEach(function (a, i) {
      if (i > 0) { caption.appendChild(document.createTextNode(" ")); }
      var span = document.createElement("span");
      span.className = "word";
      span.tabIndex = 0;
      span.textContent = a.word;
      span.addEventListener("mouseenter", function () { showAttention(a, i, span); });
      span.addEventListener("focus", function () { showAttention(a, i, span); });
      span.addEventListener("click", function () { showAttention(a, i, span); });
      span.addEventListener("mouseleave", hideAttention);
      caption.appendChild(span);
    });
    help.hidden = false;
  }

  function send(f) {
    if (!f) { return; }
    current = f;
    error.hidden = true;
    result.hidden = false;
    caption.textContent = "";
    alternatives.innerHTML = "";
    hideAttention();
    help.hidden = true;
    status.textContent = "Captioning…";
    if (preview.src) { URL.revokeObjectURL(preview.src); }
    preview.src = URL.createObjectURL(f);
    var form = new FormData();
    form.append("image", f);
    fetch("api/caption?beam=" + encodeURIComponent(beam.value), { method: "POST", body: form, headers: keyHeaders() })
      .then(function (r) {
        return r.json().catch(function () { return { error: "The server answered " + r.status + "." }; })
          .then(function (body) { return { ok: r.ok, status: r.status, body: body }; });
      })
      .then(function (res) {
        if (res.status === 401) {
          // The server wants its API key: ask once, keep it for this tab only, and try again.
          var given = window.prompt("This server needs its API key:");
          status.textContent = "";
          if (given) {
            sessionStorage.setItem("captioner-api-key", given.trim());
            loadModel();
            send(f);
          } else {
            showError(res.body.error || "An API key is required.");
          }
          return;
        }
        if (!res.ok) {
          status.textContent = "";
          showError(res.body.error || ("The server answered " + res.status + "."));
          return;
        }
        status.textContent = "Captioned in " + res.body.ms + " ms";
        if (res.body.attention && res.body.attention.length > 0) {
          showWords(res.body.attention);
        } else {
          caption.textContent = res.body.caption || "(no words)";
        }
        res.body.alternatives.forEach(function (a, i) {
          if (i === 0) { return; }
          var li = document.createElement("li");
          li.textContent = a.caption || "(no words)";
          var s = document.createElement("span");
          s.className = "score";
          s.textContent = "log-probability " + a.score.toFixed(2);
          li.appendChild(s);
          alternatives.appendChild(li);
        });
      })
      .catch(function () {
        status.textContent = "";
        showError("Could not reach the server. Is captioner serve still running?");
      });
  }

  file.addEventListener("change", function () { send(file.files[0]); });
  beam.addEventListener("change", function () { if (current) { send(current); } });
  ["dragenter", "dragover"].forEach(function (t) {
    drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (t) {
    drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) {
    var f = e.dataTransfer.files[0];
    if (f && f.type.indexOf("image/") !== 0) { showError("That is not an image file."); return; }
    send(f);
  });
})();
