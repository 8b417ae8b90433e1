# Feedback and ratings left on the portal are administered in the feedback app.
