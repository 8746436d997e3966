"""Training videos: upload, the processing queue, the media pipeline, analysis and feedback.

- `files`: what counts as a video (by its bytes) and how big a download may be.
- `uploads`: a video received in chat becomes a stored raw file, a `video_analysis` row and a job.
- `status`: the row's status mirrored in Redis under `video:status:{videoId}`.
- `queue`: the durable job queue (on the task engine Dramatiq's Redis broker).
- `pipeline`: probe, thumbnail, web rendition, motion analysis, chart (CPU only, no I/O but
  files in a work directory).
- `processing`: one job: raw file in, results stored, row updated, people told.
- `notices`: what the athlete's side and the coaches are told.
- `feedback`: a coach's reply stored and passed on.
"""
