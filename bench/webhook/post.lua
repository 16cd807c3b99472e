-- wrk: POST the AdmissionReview in $REVIEW_FILE on every request (keep-alive).
local file = io.open(os.getenv("REVIEW_FILE"), "rb")
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
