"""Community digital technology teams (Tổ công nghệ số cộng đồng): teams, their door-to-door
plan, visits and coverage."""
