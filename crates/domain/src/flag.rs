//! 亮灯: the red / yellow / green flag that supervision puts on a project (and, later, on anything
//! else that is followed to a due date). The type only; the rules that set it are in `supervision`.

use crate::code_enum;

code_enum!(
    /// 亮灯.
    #[derive(Default)]
    Flag {
        Red = "red", "红灯", "Red";
        Yellow = "yellow", "黄灯", "Yellow";
        #[default]
        Green = "green", "绿灯", "Green";
    }
);
