// Sends the SAML request form on to the identity provider; without JavaScript the button does it.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-autosubmit]");
  if (form) form.submit();
});
