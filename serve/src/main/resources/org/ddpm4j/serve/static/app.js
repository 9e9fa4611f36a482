// The page of ddpm serve: reads the model's classes and limits from /v1/model, posts the form to
// /v1/images (asking for JSON) and shows the PNGs it returns. No build step, no libraries.
(function () {
  'use strict';
  const form = document.getElementById('form');
  const status = document.getElementById('status');
  const images = document.getElementById('images');
  const classSelect = document.getElementById('class');
  const guidance = document.getElementById('guidance');
  const drawButton = document.getElementById('draw');

  function setStatus(text, isError) {
    status.textContent = text;
    status.className = isError ? 'error' : '';
  }

  fetch('v1/model').then(r => r.json()).then(model => {
    document.getElementById('model').textContent = model.file + ': ' + model.summary
        + (model.classes.length ? ', ' + model.classes.length + ' classes' : ', unconditional');
    if (model.classes.length === 0) {
      classSelect.disabled = true;
      guidance.disabled = true;
    } else {
      model.classes.forEach((name, label) => {
        const option = document.createElement('option');
        option.value = String(label);
        option.textContent = label + ' ' + name;
        classSelect.appendChild(option);
      });
      const none = document.createElement('option');
      none.value = 'none';
      none.textContent = 'none (no class)';
      classSelect.appendChild(none);
    }
    document.getElementById('count').max = model.limits.max_images_per_request;
    document.getElementById('steps').max = model.limits.max_steps;
    document.body.dataset.ready = 'true';
  }).catch(e => setStatus('cannot read the model: ' + e, true));

  form.addEventListener('submit', event => {
    event.preventDefault();
    const body = {
      seed: parseInt(document.getElementById('seed').value, 10),
      count: parseInt(document.getElementById('count').value, 10),
      steps: parseInt(document.getElementById('steps').value, 10)
    };
    if (!classSelect.disabled) {
      if (classSelect.value !== '') {
        body['class'] = classSelect.value;
      }
      const w = parseFloat(guidance.value);
      if (classSelect.value !== 'none' && !Number.isNaN(w)) {
        body.guidance = w;
      }
    }
    drawButton.disabled = true;
    setStatus('drawing ' + body.count + ' image(s)...', false);
    const started = performance.now();
    fetch('v1/images', {
      method: 'POST',
      headers: {'Content-Type': 'application/json', 'Accept': 'application/json'},
      body: JSON.stringify(body)
    }).then(r => r.json().then(json => ({ok: r.ok, json: json}))).then(({ok, json}) => {
      if (!ok) {
        setStatus(json.error || ('error ' + json.status), true);
        return;
      }
      images.replaceChildren();
      json.images.forEach(image => {
        const figure = document.createElement('figure');
        const img = document.createElement('img');
        img.className = 'result-image';
        img.alt = 'seed ' + image.seed;
        img.src = 'data:image/png;base64,' + image.png;
        const caption = document.createElement('figcaption');
        caption.textContent = 'seed ' + image.seed + (image.class_name ? ' ' + image.class_name : '');
        figure.append(img, caption);
        images.appendChild(figure);
      });
      setStatus(json.images.length + ' image(s) in ' + ((performance.now() - started) / 1000).toFixed(2) + ' s', false);
    }).catch(e => setStatus('request failed: ' + e, true))
      .finally(() => { drawButton.disabled = false; });
  });
}());
