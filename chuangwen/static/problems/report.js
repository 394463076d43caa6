// 随手拍 (/report/): the phone's position into the hidden lng/lat fields, and one submission per
// tap.  Browsers report WGS-84 (the datum Chuangwen stores), so nothing is converted here.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }
  var button = document.getElementById("locate");
  var status = document.getElementById("locate-status");
  var lng = form.querySelector("input[name=lng]");
  var lat = form.querySelector("input[name=lat]");

  if (button && navigator.geolocation && window.isSecureContext !== false) {
    button.hidden = false;
    if (lng.value && lat.value) { status.textContent = "已获取当前位置。"; }
    button.addEventListener("click", function () {
      status.textContent = "正在定位…";
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        lng.value = pos.coords.longitude.toFixed(7);
        lat.value = pos.coords.latitude.toFixed(7);
        status.textContent = "已获取当前位置(精度约 " + Math.round(pos.coords.accuracy) + " 米),可再补充地点描述。";
        button.disabled = false;
      }, function () {
        status.textContent = "无法获取位置,请手动填写问题地点。";
        button.disabled = false;
      }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
    });
  }

  var photos = form.querySelector("input[type=file][name=photos]");
  form.addEventListener("submit", function (evt) {
    if (photos && photos.files && photos.files.length > 9) {
      evt.preventDefault();
      window.alert("最多上传 9 张照片,您选择了 " + photos.files.length + " 张。");
      return;
    }
    var submit = form.querySelector("button[type=submit]");
    if (submit) {
      submit.disabled = true;
      submit.textContent = submit.getAttribute("data-busy-text") || submit.textContent;
    }
  });
})();
