"""apis.streaming"""
