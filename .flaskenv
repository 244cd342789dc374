FLASK_APP=webapp
