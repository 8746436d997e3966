"""The media pipeline of a training video, apart from the rules: probing, thumbnails and web
renditions with ffmpeg, motion analysis with OpenCV, optional pose keypoints and the motion chart.
"""
