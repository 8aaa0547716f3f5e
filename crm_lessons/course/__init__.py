"""The course as a whole: lesson discovery, contents and navigation, execution and the HTML build.

Examples
--------
>>> from crm_lessons.course import CHAPTERS
>>> CHAPTERS[2]
('Value of customer relationships', '客户关系价值')
"""

from crm_lessons.course.lessons import CHAPTERS, Lesson, find_lessons
from crm_lessons.course.navigation import check_navigation, write_navigation

__all__ = ["CHAPTERS", "Lesson", "find_lessons", "check_navigation", "write_navigation"]
