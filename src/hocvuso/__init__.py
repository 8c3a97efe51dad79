"""hocvuso: the platform behind "Bình dân học vụ số"."""
