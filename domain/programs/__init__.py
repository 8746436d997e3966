"""Training programs (issue 16): content schema and compact text, authoring, versions,
materials and the catalogue; enrolment, delivery and the workout log build on them."""
